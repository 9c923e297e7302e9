"""Security primitives: password hashing, token generation, HTTP headers."""
