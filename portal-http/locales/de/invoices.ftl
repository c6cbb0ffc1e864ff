# Text of the invoices page, in German.
