//! The families of error codes: what a caller usually catches together, one error class per
//! family in Python and Node. Which code belongs to which family is [`super::ErrorCode::family`].

/// The family of errors a caller usually catches together. Each binding names one error class
/// per family (`ValidationError`, `ConflictError`, …); the code stays the precise answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFamily {
    /// The API key is missing or wrong.
    Authentication,
    /// The key may not touch this resource.
    PermissionDenied,
    /// An unknown id.
    NotFound,
    /// The server could not read the request.
    BadRequest,
    /// An argument was refused before anything was sent.
    InvalidArgument,
    /// The content breaks a platform rule (text, title, media, schedule, options).
    Validation,
    /// Too many API calls; wait and retry.
    RateLimit,
    /// The profile's daily publish quota is used.
    PostLimitReached,
    /// The request conflicts with the resource's state.
    Conflict,
    /// An upload session refused a part or completion.
    Upload,
    /// The platform refused or failed.
    Platform,
    /// The server failed.
    InternalServer,
    /// The connection failed.
    Connection,
    /// A deadline passed.
    Timeout,
    /// The caller cancelled.
    Cancelled,
    /// A local file could not be read or written.
    LocalIo,
    /// A response the SDK cannot understand.
    Response,
    /// A write may or may not have been carried out (its response never arrived).
    OutcomeUnknown,
    /// A code this SDK version does not know.
    Other,
}

impl ErrorFamily {
    /// The name of the error class the Python and Node bindings raise for this family (the
    /// same names in both, so a user moving between them catches the same thing).
    pub fn class_name(self) -> &'static str {
        use ErrorFamily as F;
        match self {
            F::Authentication => "AuthenticationError",
            F::PermissionDenied => "PermissionDeniedError",
            F::NotFound => "NotFoundError",
            F::BadRequest => "BadRequestError",
            F::InvalidArgument => "InvalidArgumentError",
            F::Validation => "ValidationError",
            F::RateLimit => "RateLimitError",
            F::PostLimitReached => "PostLimitReachedError",
            F::Conflict => "ConflictError",
            F::Upload => "UploadError",
            F::Platform => "PlatformError",
            F::InternalServer => "InternalServerError",
            F::Connection => "APIConnectionError",
            F::Timeout => "APITimeoutError",
            F::Cancelled => "OperationCancelledError",
            F::LocalIo => "LocalIOError",
            F::Response => "APIResponseError",
            F::OutcomeUnknown => "OutcomeUnknownError",
            F::Other => "AetherError",
        }
    }
}
