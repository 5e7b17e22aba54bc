"""The platform's own domain: the user's profile and preferences."""
