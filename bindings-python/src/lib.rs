//! `aether._aether`: the Python extension module of the Aether SDK.
//!
//! Thin by design: it converts arguments and results between Python and the core (`aether`),
//! maps the core's errors to exception classes, and runs the core's futures blocking (GIL
//! released, Ctrl-C honoured) or on asyncio. The Python API itself — `Aether`, `AsyncAether`,
//! the typed result classes, the exceptions — is the pure-Python package around it
//! (`bindings-python/python/aether/`), and every behaviour lives in the core.

mod call;
mod client;
mod convert;
mod errors;
mod observe;
mod raw;
mod resources;
mod source;
mod testing;

use pyo3::prelude::*;

#[pymodule]
fn _aether(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", aether::client::VERSION)?;
    module.add_class::<client::PyClient>()?;
    module.add_class::<call::Call>()?;
    module.add_class::<call::Pager>()?;
    module.add_class::<testing::PyMockServer>()?;
    module.add_function(wrap_pyfunction!(errors::error_codes, module)?)?;
    module.add_function(wrap_pyfunction!(client::defaults, module)?)?;
    module.add_function(wrap_pyfunction!(errors::error_for_code, module)?)?;
    module.add_function(wrap_pyfunction!(errors::unknown_keyword, module)?)?;
    module.add_function(wrap_pyfunction!(resources::webhooks::verify_signature, module)?)?;
    module.add_function(wrap_pyfunction!(resources::webhooks::construct_event, module)?)?;
    module.add_function(wrap_pyfunction!(resources::webhooks::sign_test_payload, module)?)?;
    module.add_function(wrap_pyfunction!(resources::connect_links::verify_callback, module)?)?;
    let exit_hook = wrap_pyfunction!(call::exit_hook, module)?;
    module.py().import("atexit")?.call_method1("register", (exit_hook,))?;
    Ok(())
}
