# Text of the approvals pages (the list, one approval and its decision), in English.
