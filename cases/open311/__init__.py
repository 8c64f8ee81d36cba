"""Open311 GeoReport v2 at /open311/v2/ (DESIGN.md §6; docs/open311.md).

- `documents.py` builds the spec's documents (discovery, services, service definition, requests)
  as plain Python data, with no personal data about residents;
- `intake.py` turns a POSTed request into a `reported` case through `cases.workflow.create_case`;
- `renderers.py` writes that data as the spec's JSON or XML, errors included;
- `views.py` and `urls.py` are the thin HTTP layer (format by extension, throttles, errors).
"""
