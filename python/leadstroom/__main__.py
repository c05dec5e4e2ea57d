import sys

from leadstroom.cli import main

sys.exit(main())
