"""The browser UI (Gradio): the app, its HTML rendering (every untrusted string escaped), and uploads."""
