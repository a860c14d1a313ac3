"""Browser mode (``pickterm serve``): the same app in a browser, one process per signed-in device.

No Textual here: the server starts ``pickterm`` itself as a child process with Textual's web
driver and relays its bytes over a websocket (textual-serve's protocol).
"""
