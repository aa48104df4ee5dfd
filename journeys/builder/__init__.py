"""The journey builder: staff design, preview, test and publish journeys in the admin.

Views and templates are a face on the engine's and channels' services; the pure modules
(words, layout, diff, validation) hold no Django state. See docs/builder.md.
"""
