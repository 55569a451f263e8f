#!/usr/bin/env python
from sputnik.cli import main

if __name__ == "__main__":
    main()
