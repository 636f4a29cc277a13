"""FatturaPA: the Italian electronic invoice (format 1.2.2) of an issued invoice or credit note.

- ``build.document(invoice)``: the XML file (bytes) of one issued invoice (TD01) or credit note
  (TD04, pointing at the invoice it credits), written only from what was frozen on the invoice
  at issue time (its customer columns, its seller JSON, its lines), never from live records;
- ``build.filename(invoice)``: ``IT<seller VAT>_<progressive>.xml``, the name the SDI expects;
- ``schema.errors(xml)``: the official schema's complaints, checked offline with lxml (the two
  schema files are in ``schema/``, with their source);
- ``bundle``: the files of many invoices, into a zip (the invoice list's download) or a folder
  (``manage.py export_fatturapa``).

Every file is validated before it leaves the portal: an invalid one is refused with a message
(``FatturaPAError``), never handed to the SDI intermediary. The file is written by hand with
lxml (see docs/invoicing.md for why no FatturaPA library from PyPI is used).
"""
