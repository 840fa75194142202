"""The operator's command-line tool and the embedded one-machine stack."""
