"""The bureau's Word documents in 公文 format (SPEC §6)."""
