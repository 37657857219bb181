"""The sales ops API views (`/api/v1/ops/`): each parses, calls one selector or service,
and renders with the serializer that declares its response."""
