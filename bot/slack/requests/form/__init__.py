"""The request form: its fields and metadata (`fields`), the modal built from them (`view`),
a submission read back (`reading`), and a report's findings placed on its inputs
(`findings`)."""
