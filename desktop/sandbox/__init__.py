"""A local emulator of OpenAI's REST API, for the offline demo and the tests."""
