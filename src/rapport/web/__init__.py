"""The web UI: layout, design system, shared partials, module pages, settings."""
