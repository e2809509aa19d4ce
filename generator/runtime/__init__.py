"""How a run uses the machine: the run lock that keeps one run at a time (:mod:`.lock`) and the
one place that decides what is worth a second process (:mod:`.background`)."""
