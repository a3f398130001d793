#!/usr/bin/env python
"""Django's command-line utility for the Work Off Plans project."""

import os
import sys


def main():
    # The demo profile by default; deployments set DJANGO_SETTINGS_MODULE to
    # workoff.settings.production.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoff.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
