"""The Playground's pure logic: chat sessions, presets, costs, similarity, evaluation runs,
blind votes and turning a conversation into training data.

No Qt, no network, no database: ``desktop.api.evaluation_runner`` streams the replies,
``desktop.storage.playground_store`` keeps the records, the UI shows them.
"""
