"""The bottom layer: helpers that know no app of this project (DESIGN.md §2).

Errors, CSV/XLSX reading and writing, form styling and id parsing, the API's error format,
pagination and parsers, the htmx helper, masking, the clock and the filtered-list base views.
Nothing here imports `communities`, `cases`, `volunteers`, `dashboard` or `shenhe_env`.
"""
