"""The Playground's pure logic: chat sessions, presets, costs, similarity, evaluation runs,
blind votes and turning a conversation into training data.

No Qt, no network, no database: ``desktop.api.evaluation_runner`` streams the replies,
``desktop.storage.playground_store`` keeps the records, the UI shows them.

- ``sessions``: :class:`ChatSession`/:class:`ChatTurn` and the operations on them (add, edit
  an earlier message, delete, regenerate, title), ``reply_turn`` for a streamed reply, the
  request for the next reply, export as JSONL or Markdown.
- ``presets``: :class:`GenerationSettings`, named presets and the API's ranges.
- ``prompt_checks``: an empty message or a paste over the model's context, before sending.
- ``usage_cost``: a reply's tokens (API usage, else counted) and cost; prompt savings.
- ``similarity``: token F1 between an answer and a reference (definition in its docstring).
- ``evaluation``: test examples (prompt + reference), the jobs of a run, results, runs.
- ``evaluation_report``: per-model summaries, totals, table rows and CSV.
- ``preferences``: blind column order, votes, DPO lines from votes.
- ``add_to_dataset``: a conversation as one checked training line appended to a file.
- ``serialize``: all of the above to and from JSON values for the database.
"""
