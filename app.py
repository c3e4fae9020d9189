"""The browser UI: ``python app.py`` serves it at http://127.0.0.1:7860 (``RAG_UI_HOST``, ``RAG_UI_PORT``).

The app itself is ``rag/ui/app.py`` (also installed as the ``rag-ui`` command); this file keeps the
checkout's ``python app.py`` working.
"""

from rag.ui.app import main

if __name__ == "__main__":
    main()
