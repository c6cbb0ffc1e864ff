# Text of the invoices page, in English.
