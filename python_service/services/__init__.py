"""Services: what the routes call, one module per resource."""
