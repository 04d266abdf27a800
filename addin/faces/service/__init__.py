"""The intake service (SPEC §8): `taizhang accounts` and `taizhang serve`. See docs/SERVICE.md."""
