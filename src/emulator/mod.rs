//! A local stand-in for the FaceID service (feature `emulator`). Work in progress.
