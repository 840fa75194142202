"""Imports and exports of the resource file: CSV and XLSX spreadsheets, vCard and Open
Referral HSDS 3.0."""
