"""The compiler: one criterion's text to one rule tree (:mod:`.compile`), run through every
family scanner; the precision audits that send doubtful rules to review (:mod:`.precision`);
the printable description of any rule (:mod:`.describe`)."""
