import logging
import os
import sys

from bot.cli import main, one_shot

code = main()
if one_shot(sys.argv[1:]):
    # A one-shot `ask` has printed its answer and holds no open file: it ends here rather than tear down ONNX
    # Runtime's session, FAISS and numpy module by module (docs/performance.md, Serving).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
raise SystemExit(code)
