"""The reader's site: pages built from the study and report layers (change log, front page,
state pages), each self-contained HTML with no network request."""
