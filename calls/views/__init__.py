"""The pages of calls, one module per page: ``search`` (the call search, its exports, the
installed-base history and the technician's home), ``new_call`` (taking a call),
``management`` (the management page and the one flow of its forms), ``sections`` (the call,
intervention, state, notes and quote forms of that page) and ``actuals`` (its expenses, parts,
completion and report). ``calls/urls.py`` names them."""
