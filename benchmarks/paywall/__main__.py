import sys

from benchmarks.paywall.run import main

sys.exit(main())
