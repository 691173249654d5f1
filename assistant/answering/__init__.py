"""Turning passages into checked text: the answer chain, sentence grounding and the meaning
checks (direction, negation, scope), claim verdicts, summaries, glosses and the prompt loader."""
