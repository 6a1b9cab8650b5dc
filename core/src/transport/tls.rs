//! Trust and identity: which certificate authorities a client trusts beyond the operating
//! system's (`caBundle`, `AETHER_CA_BUNDLE`), the client certificate it presents for mutual TLS
//! (`clientCert` + `clientKey`, `AETHER_CLIENT_CERT` + `AETHER_CLIENT_KEY`), and how a failed
//! handshake becomes `TLS_ERROR` with a message that says what to set.
//!
//! The PEM files are read and checked once, when the client is built, so a wrong path or a file
//! that is not PEM is an `INVALID_ARGUMENT` naming the option, never a failure on the first
//! request. The operating system's roots stay trusted: a bundle adds to them (a corporate proxy's
//! CA added to the public ones), it does not replace them.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms,
};
use rustls::server::ParsedCertificate;
use rustls::{
    AlertDescription, CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::{Error, ErrorCode, Result};
use crate::settings::{names, OptionName, Spelling};

/// Environment variable read for a CA bundle when none is given.
pub const CA_BUNDLE_ENV: &str = "AETHER_CA_BUNDLE";
/// Environment variable read for a client certificate when none is given.
pub const CLIENT_CERT_ENV: &str = "AETHER_CLIENT_CERT";
/// Environment variable read for a client certificate's key when none is given.
pub const CLIENT_KEY_ENV: &str = "AETHER_CLIENT_KEY";

/// The checked TLS settings of a client: PEM bytes (kept, so that a forked child can build its
/// own HTTP client) and the option names messages use.
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    /// Extra trusted CAs, each a DER certificate.
    ca_certs: Vec<Vec<u8>>,
    /// The client certificate chain and key, concatenated PEM.
    identity: Option<Vec<u8>>,
    /// How the caller spells the options, for the messages of [`tls_error`].
    spelling: Spelling,
    /// The paths the PEM files were read from (for `effective_options`).
    pub ca_bundle: Option<String>,
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
}

impl fmt::Debug for TlsSettings {
    // The identity holds a private key: show only whether there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("ca_certs", &self.ca_certs.len())
            .field("client_identity", &self.identity.is_some())
            .finish()
    }
}

/// A path given by option, else by environment variable (blank counts as unset).
fn given(option: Option<&str>, env: &str) -> Option<(String, bool)> {
    match option.filter(|p| !p.trim().is_empty()) {
        Some(path) => Some((path.to_owned(), false)),
        None => std::env::var(env).ok().filter(|p| !p.trim().is_empty()).map(|p| (p, true)),
    }
}

/// How a setting is named in a message: the option, or the variable it came from.
fn source(spelling: Spelling, option: &OptionName, env: &str, from_env: bool) -> String {
    if from_env {
        env.to_owned()
    } else {
        spelling.name(option).to_owned()
    }
}

fn read(path: &str, named: &str) -> Result<Vec<u8>> {
    std::fs::read(Path::new(path)).map_err(|e| {
        Error::invalid_argument(format!("{named}: cannot read {path:?}: {e}"))
            .with_field(named)
            .with_source(e)
    })
}

/// Reads and checks the bundle and the client certificate the options (else the environment)
/// name.
pub(crate) fn resolve(
    spelling: Spelling,
    ca_bundle: Option<&str>,
    client_cert: Option<&str>,
    client_key: Option<&str>,
) -> Result<TlsSettings> {
    let mut settings = TlsSettings { spelling, ..TlsSettings::default() };
    if let Some((path, from_env)) = given(ca_bundle, CA_BUNDLE_ENV) {
        let named = source(spelling, &names::CA_BUNDLE, CA_BUNDLE_ENV, from_env);
        let pem = read(&path, &named)?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::invalid_argument(format!("{named}: {path:?} is not a PEM file: {e}"))
                    .with_field(&named)
            })?;
        if certs.is_empty() {
            return Err(Error::invalid_argument(format!(
                "{named}: {path:?} holds no certificate; it must be a PEM file of one or more \
                 \"-----BEGIN CERTIFICATE-----\" blocks"
            ))
            .with_field(&named));
        }
        for cert in &certs {
            reqwest::Certificate::from_der(cert).map_err(|e| {
                Error::invalid_argument(format!("{named}: {path:?} holds an invalid certificate"))
                    .with_field(&named)
                    .with_source(e)
            })?;
        }
        settings.ca_certs = certs.iter().map(|cert| cert.to_vec()).collect();
        settings.ca_bundle = Some(path);
    }
    let cert = given(client_cert, CLIENT_CERT_ENV);
    let key = given(client_key, CLIENT_KEY_ENV);
    match (cert, key) {
        (None, None) => {}
        (Some((_, from_env)), None) | (None, Some((_, from_env))) => {
            let cert = source(spelling, &names::CLIENT_CERT, CLIENT_CERT_ENV, from_env);
            let key = source(spelling, &names::CLIENT_KEY, CLIENT_KEY_ENV, from_env);
            return Err(Error::invalid_argument(format!(
                "a client certificate needs both {cert} and {key} (PEM files); only one is set"
            ))
            .with_field(&cert));
        }
        (Some((cert_path, cert_env)), Some((key_path, key_env))) => {
            let cert_name = source(spelling, &names::CLIENT_CERT, CLIENT_CERT_ENV, cert_env);
            let key_name = source(spelling, &names::CLIENT_KEY, CLIENT_KEY_ENV, key_env);
            let cert_pem = read(&cert_path, &cert_name)?;
            let key_pem = read(&key_path, &key_name)?;
            let certs = CertificateDer::pem_slice_iter(&cert_pem)
                .collect::<std::result::Result<Vec<_>, _>>()
                .unwrap_or_default();
            if certs.is_empty() {
                return Err(Error::invalid_argument(format!(
                    "{cert_name}: {cert_path:?} holds no PEM certificate"
                ))
                .with_field(&cert_name));
            }
            if PrivateKeyDer::from_pem_slice(&key_pem).is_err() {
                return Err(Error::invalid_argument(format!(
                    "{key_name}: {key_path:?} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)"
                ))
                .with_field(&key_name));
            }
            let mut identity = cert_pem;
            identity.push(b'\n');
            identity.extend_from_slice(&key_pem);
            reqwest::Identity::from_pem(&identity).map_err(|e| {
                Error::invalid_argument(format!(
                    "{cert_name} and {key_name} are not a usable certificate and key"
                ))
                .with_field(&cert_name)
                .with_source(e)
            })?;
            settings.identity = Some(identity);
            settings.client_cert = Some(cert_path);
            settings.client_key = Some(key_path);
        }
    }
    Ok(settings)
}

/// The TLS settings of the API's connections: the system's roots and these CAs trusted, this
/// client certificate presented, HTTP/2 and HTTP/1.1 offered (a server that speaks HTTP/2 then
/// carries concurrent calls on one connection).
pub(crate) fn client_config(settings: &TlsSettings) -> Result<Arc<rustls::ClientConfig>> {
    let mut extra = RootCertStore::empty();
    for der in &settings.ca_certs {
        extra.add(CertificateDer::from(der.clone())).map_err(|e| {
            Error::invalid_argument("a CA certificate could not be loaded").with_source(e)
        })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(SystemRootsOnFirstUse::new(extra, &provider));
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid_argument("TLS could not be set up").with_source(e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match &settings.identity {
        None => builder.with_no_client_auth(),
        Some(identity) => {
            let chain = CertificateDer::pem_slice_iter(identity)
                .collect::<std::result::Result<Vec<_>, _>>()
                .unwrap_or_default();
            let key = PrivateKeyDer::from_pem_slice(identity).map_err(|e| {
                Error::invalid_argument("the client certificate's key could not be loaded")
                    .with_source(e)
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                Error::invalid_argument("the client certificate could not be loaded").with_source(e)
            })?
        }
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// rustls's own WebPKI check of a server's certificate (as `with_root_certificates` sets up,
/// without revocation), against the system's roots and the client's extra CAs, where the
/// system's roots are read on the first handshake rather than when the client is built.
///
/// Reading them parses every certificate of the system's store: ~18 million instructions, 88 %
/// of a CLI command against a plain-HTTP emulator, paid by every client even when it never
/// speaks TLS (an `http://` base URL: the emulator, a test). One that is not parsable is
/// skipped, as curl does. A forked child builds its own clients, so its own of this too.
#[derive(Debug)]
struct SystemRootsOnFirstUse {
    /// The caller's CAs (`caBundle`), checked when the client was built.
    extra: RootCertStore,
    /// The system's roots and `extra`, once a handshake asked.
    roots: OnceLock<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl SystemRootsOnFirstUse {
    fn new(extra: RootCertStore, provider: &CryptoProvider) -> SystemRootsOnFirstUse {
        SystemRootsOnFirstUse {
            extra,
            roots: OnceLock::new(),
            algorithms: provider.signature_verification_algorithms,
        }
    }

    fn roots(&self) -> &RootCertStore {
        self.roots.get_or_init(|| {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots.roots.extend(self.extra.roots.iter().cloned());
            roots
        })
    }
}

impl ServerCertVerifier for SystemRootsOnFirstUse {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &cert,
            self.roots(),
            intermediates,
            now,
            self.algorithms.all,
        )?;
        verify_server_name(&cert, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The HTTP client builder with these CAs added to the system's, and no client certificate:
/// for other hosts than the API (a media URL probed before ingest), which may sit behind the
/// same TLS-inspecting proxy but must not be shown the API's client identity.
pub(crate) fn apply_roots(
    settings: &TlsSettings,
    mut builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder> {
    for der in &settings.ca_certs {
        let cert = reqwest::Certificate::from_der(der).map_err(|e| {
            Error::invalid_argument("a CA certificate could not be loaded").with_source(e)
        })?;
        builder = builder.add_root_certificate(cert);
    }
    Ok(builder)
}

/// `TLS_ERROR` for a request that failed in the TLS layer, with what to set; `None` when the
/// failure was not TLS's.
pub(crate) fn tls_error(
    settings: &TlsSettings,
    error: &(dyn std::error::Error + 'static),
) -> Option<Error> {
    let cause = tls_cause(error)?;
    let s = settings.spelling;
    let ca = format!("{} ({CA_BUNDLE_ENV})", s.name(&names::CA_BUNDLE));
    let cert = format!(
        "{} and {} ({CLIENT_CERT_ENV}, {CLIENT_KEY_ENV})",
        s.name(&names::CLIENT_CERT),
        s.name(&names::CLIENT_KEY)
    );
    let message = match &cause {
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => "the server's certificate is not valid for this host name: check the base URL (use \
              a host name the certificate lists)"
            .to_owned(),
        rustls::Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        ) => "the server's certificate has expired (or this machine's clock is wrong)".to_owned(),
        rustls::Error::InvalidCertificate(_) => format!(
            "the server's certificate is not trusted ({cause}): set {ca} to your CA's PEM file"
        ),
        rustls::Error::AlertReceived(
            AlertDescription::CertificateRequired
            | AlertDescription::HandshakeFailure
            | AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateUnknown
            | AlertDescription::AccessDenied,
        ) if settings.identity.is_none() => format!(
            "the server refused the TLS handshake ({cause}); it may require a client \
             certificate: set {cert} to PEM files"
        ),
        rustls::Error::AlertReceived(_) if settings.identity.is_some() => format!(
            "the server refused the TLS handshake ({cause}): check that the client certificate \
             ({cert}) is signed by a CA the server trusts and has not expired"
        ),
        rustls::Error::InvalidMessage(_) => format!(
            "the TLS handshake failed ({cause}): is the server speaking HTTPS? check the base \
             URL's scheme and port"
        ),
        _ => format!("the TLS handshake failed ({cause})"),
    };
    Some(Error::new(ErrorCode::TlsError, message))
}

/// The rustls error somewhere in `error`'s chain of sources. An `io::Error`'s `source` skips
/// the error it wraps (and the TLS layer's errors arrive as an `io::Error` inside another), so
/// the walk steps into the wrapped error instead.
fn tls_cause(error: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls.clone());
        }
        next = match current.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    /// A CA named `ca_name`, and a certificate it signed for `localhost`.
    fn ca_and_leaf(ca_name: &str) -> (CertificateDer<'static>, CertificateDer<'static>) {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.distinguished_name.push(DnType::CommonName, ca_name);
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca, &ca_key)
            .unwrap();
        (ca.der().clone(), leaf.der().clone())
    }

    fn verifier(extra_ca: &CertificateDer<'static>) -> SystemRootsOnFirstUse {
        let mut extra = RootCertStore::empty();
        extra.add(extra_ca.clone()).unwrap();
        SystemRootsOnFirstUse::new(extra, &rustls::crypto::ring::default_provider())
    }

    fn verify(
        verifier: &SystemRootsOnFirstUse,
        leaf: &CertificateDer<'static>,
        host: &'static str,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let name = ServerName::try_from(host).unwrap();
        verifier.verify_server_cert(leaf, &[], &name, &[], UnixTime::now())
    }

    #[test]
    fn the_system_roots_are_read_at_the_first_certificate_not_when_the_client_is_built() {
        let (ca, leaf) = ca_and_leaf("Corporate proxy CA");
        let verifier = verifier(&ca);
        // Offering the signature schemes (every ClientHello) needs no roots.
        assert!(!verifier.supported_verify_schemes().is_empty());
        assert!(verifier.roots.get().is_none(), "roots were read before any certificate");
        verify(&verifier, &leaf, "localhost").expect("a certificate the extra CA signed");
        let roots = verifier.roots.get().expect("read at the first certificate");
        // The system's roots (whatever this machine has) and the extra CA, which is last.
        assert!(!roots.is_empty());
        assert_eq!(roots.roots.last(), verifier.extra.roots.first());
    }

    #[test]
    fn a_certificate_no_trusted_ca_signed_or_for_another_host_is_refused_as_before() {
        let (ca, leaf) = ca_and_leaf("Corporate proxy CA");
        let (_, stranger) = ca_and_leaf("Nobody's CA");
        let verifier = verifier(&ca);
        let refused = verify(&verifier, &stranger, "localhost");
        assert!(
            matches!(
                refused,
                Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))
            ),
            "{refused:?}"
        );
        assert!(matches!(
            verify(&verifier, &leaf, "api.aetherhq.dev"),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            ))
        ));
    }
}
