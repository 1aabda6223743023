//! The same SONAME as libtcfaceid.so (libtcfaceid.so.0), so a C test program links against
//! either library the same way and loads whichever the `libtcfaceid.so.0` beside it names.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtcfaceid.so.0");
    }
}
