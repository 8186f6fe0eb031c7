"""Workbook building with openpyxl (and spreadsheet import). Knows nothing about HTTP."""
