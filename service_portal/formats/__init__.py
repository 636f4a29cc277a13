"""Format overrides per language (settings.FORMAT_MODULE_PATH); see docs/i18n.md."""
