# Text of the invoices pages, in English.

invoices-title = Invoices
invoices-lead = Your invoices, newest first. Open ones can be paid online.
invoices-caption = Invoices with their number, issue day, due day, amount and status
invoices-col-number = Number
invoices-col-issued = Issued
invoices-col-due = Due
invoices-col-amount = Amount
invoices-col-status = Status
invoices-col-actions = Actions
invoices-no-date = Not set
invoices-none = There are no invoices yet.
invoices-older = Older invoices
invoices-newest = Newest invoices
invoices-pay-label = Pay invoice { $number } (opens in a new tab)
invoices-breadcrumbs = Where you are
invoices-facts = Summary
invoices-project = Project
invoices-pay-now = Pay now
invoices-new-tab = (opens in a new tab)
invoices-pay-hint = Payment is handled by a secure payment page in a new tab.
invoices-pay-ask = To pay this invoice, please ask a colleague who handles payments.
invoices-source = This invoice comes from the billing system of { $tenant }. Line items are on the invoice you received.
