"""marshmallow schemas: one module per resource, API input and output."""
