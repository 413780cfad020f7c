"""The web edge: the JSON API, the policy page, the widget's files, a demo page and the agent console.

``bot.serve.app.create_app(settings)`` builds the app from one router per concern (``bot.serve.routes``), the
middleware (``bot.serve.middleware``, ``bot.serve.login_throttle``) and the console (``bot.serve.console``).
Shared resources (the :class:`~bot.serve.service.Service`, the store, the rate limiter, the settings) live in
``app.state``, created in the lifespan; importing any of these modules loads no model.
"""
