//! The same SONAME as libtcfaceid.so (`libtcfaceid.so.SOVERSION`, the version the library's
//! build script hands over as `DEP_TCFACEID_SOVERSION`), so a C test program links against
//! either library the same way and loads whichever the `libtcfaceid.so.SOVERSION` beside it
//! names.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let soversion = std::env::var("DEP_TCFACEID_SOVERSION").expect("set by tcfaceid's build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtcfaceid.so.{soversion}");
    }
}
