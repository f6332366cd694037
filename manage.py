#!/usr/bin/env python
from journeymap.__main__ import main

if __name__ == "__main__":
    main()
