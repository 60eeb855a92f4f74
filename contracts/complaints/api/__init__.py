"""REST endpoints of the SME complaint column, under /api/v1/complaints/."""
