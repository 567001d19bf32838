import sys

from mayadeen.loopback.cli import main

sys.exit(main())
