import signal
import sys

from .cli import main

if hasattr(signal, "SIGPIPE"):  # `python -m tree export | head` should end quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
