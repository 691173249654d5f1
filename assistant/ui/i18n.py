"""Every user-visible label of the web app, and those the CLI shares with it, in Chinese and English."""

from __future__ import annotations

# the four verdicts, as the CLI and the web app show them (one table for both)
VERDICT_LABELS: dict[str, dict[str, str]] = {
    "supported": {"zh": "有依据", "en": "Supported"},
    "partial": {"zh": "部分有依据", "en": "Partially supported"},
    "contradicted": {"zh": "与综述相矛盾", "en": "Contradicted by the review"},
    "not_found": {"zh": "综述中未找到依据", "en": "Not found in the review"},
}

# why the verifier decided as it did (verify.Reason values), for the "how this answer was checked" panel
REASON_LABELS: dict[str, dict[str, str]] = {
    "restates": {"zh": "与原文近乎逐字一致", "en": "restates the quote"},
    "judge_supports": {"zh": "核查模型判定原文支持", "en": "the judge found the quote supports it"},
    "judge_contradicts": {"zh": "核查模型判定原文相反", "en": "the judge found the quote says otherwise"},
    "judge_neutral": {"zh": "核查模型判定原文未涉及", "en": "the judge found the quote silent on it"},
    "judge_unsure": {"zh": "核查模型无法确认", "en": "the judge could not confirm it"},
    "not_restated": {"zh": "非原文复述,且未启用核查模型", "en": "not a restatement, and no judge"},
    "cue_conflict": {"zh": "原文对应分句方向相反", "en": "the aligned clause of the quote has the opposite cue"},
    "absent_terms": {"zh": "用词在综述中不存在", "en": "uses terms the review never uses"},
    "unsupported_detail": {"zh": "含原文没有的数字或名称", "en": "a number or name the quote lacks"},
    "no_evidence": {"zh": "上下文中没有相近的原文", "en": "no close quote in the context"},
    "not_similar": {"zh": "综述中没有相近的句子", "en": "nothing close in the review"},
    "judge_failed": {"zh": "核查模型未作答", "en": "the judge's model did not answer"},
}

TEXTS: dict[str, dict[str, str]] = {
    "guide": {
        "zh": "导读:综述的框架、主要发现与入门问题",
        "en": "Guide: the review's framework, main findings and starter questions",
    },
    "guide_findings": {"zh": "主要发现(摘要)", "en": "Main findings (abstract)"},
    "guide_map": {"zh": "研究框架(点击展开各部分)", "en": "Framework (click a part to open it)"},
    "guide_cited": {"zh": "本部分引用文献:", "en": "References cited here:"},
    "starters": {"zh": "入门问题(点击即可提问)", "en": "Starter questions (click to ask)"},
    "follow_ups": {"zh": "可继续追问", "en": "Suggested follow-ups"},
    "checks": {"zh": "核查过程", "en": "How this answer was checked"},
    "check_kept": {"zh": "保留", "en": "kept"},
    "check_dropped": {"zh": "撤下", "en": "dropped"},
    "title": {"zh": "综述问答:人工智能与区域经济", "en": "Review QA: AI and the Regional Economy"},
    "subtitle": {
        "zh": "回答只依据《人工智能与区域经济:研究进展、启示与展望》(区域经济评论 2026(2)),每句都标注来源段落与文献。",
        "en": "Answers come only from the review 人工智能与区域经济 (区域经济评论 2026(2)); every sentence cites its passage and references.",
    },
    "ui_lang": {"zh": "界面语言", "en": "Interface language"},
    "tab_chat": {"zh": "问答", "en": "Chat"},
    "tab_claim": {"zh": "论断核查", "en": "Claim check"},
    "tab_summary": {"zh": "双语摘要", "en": "Summaries"},
    "tab_browse": {"zh": "浏览全文", "en": "Browse"},
    "question": {"zh": "问题(中文或英文)", "en": "Question (Chinese or English)"},
    "placeholder": {"zh": "例如:人工智能如何影响区域产业布局?", "en": "e.g. How does AI change industrial layout?"},
    "answer_lang": {"zh": "回答语言", "en": "Answer language"},
    "send": {"zh": "提问", "en": "Ask"},
    "clear": {"zh": "清空对话", "en": "Clear chat"},
    "stop": {"zh": "停止", "en": "Stop"},
    "sources": {"zh": "来源", "en": "Sources"},
    "no_sources": {
        "zh": "提问后,这里会列出每个标注所引用的段落、支持句与参考文献。",
        "en": "After you ask, each marker's passage, supporting sentence and references appear here.",
    },
    "grounded": {"zh": "✓ 已核对引用", "en": "✓ Grounded"},
    "refused": {"zh": "综述未涉及此问题", "en": "The review does not cover this"},
    "thinking": {"zh": "正在检索并生成回答……", "en": "Retrieving and answering…"},
    "earlier_sources": {"zh": "前几轮回答的出处", "en": "Sources of earlier answers"},
    "read_as": {"zh": "(结合上文理解为:{q})", "en": "(Read with the earlier turns as: {q})"},
    "too_long": {
        "zh": "问题过长(超过 2000 字符),请缩短后再试。",
        "en": "The question is too long (over 2,000 characters); please shorten it.",
    },
    "empty": {"zh": "请输入问题。", "en": "Please type a question."},
    "error": {"zh": "出错了:", "en": "Something went wrong: "},
    "claim": {"zh": "论断(中文或英文)", "en": "Claim (Chinese or English)"},
    "claim_placeholder": {
        "zh": "例如:新型数字基础设施建设能够提升乡村产业链供应链韧性。",
        "en": "e.g. AI helps firms build relationships with more distant suppliers.",
    },
    "check": {"zh": "核查", "en": "Check"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    **VERDICT_LABELS,
    "gbt": {"zh": "GB/T 7714(可复制)", "en": "GB/T 7714 (copy)"},
    "bibtex": {"zh": "BibTeX(可复制)", "en": "BibTeX (copy)"},
    "section": {"zh": "章节", "en": "Section"},
    "whole": {"zh": "全文", "en": "Whole review"},
    "summarize": {"zh": "生成摘要", "en": "Summarize"},
    "summary_zh": {"zh": "中文摘要", "en": "Chinese summary"},
    "summary_en": {"zh": "英文摘要", "en": "English summary"},
    "cached": {"zh": "(缓存结果)", "en": "(cached)"},
    "outline": {"zh": "目录", "en": "Outline"},
    "references": {"zh": "参考文献", "en": "References"},
    "cited_in": {"zh": "引用位置", "en": "Cited in"},
    "quote": {"zh": "支持句", "en": "Supporting sentence"},
    "refs_here": {"zh": "本句引用的文献", "en": "Cited at this sentence"},
    "refs_passage": {"zh": "本段引用的文献", "en": "References this passage cites"},
    "status": {
        "zh": "模型:{backend}({model}) · 索引:{chunks} 个块、{sentences} 个句子、{refs} 条文献",
        "en": "Model: {backend} ({model}) · Index: {chunks} chunks, {sentences} sentences, {refs} references",
    },
    "auto": {"zh": "自动", "en": "Auto"},
    "dossier": {"zh": "单篇文献档案(按被引次数排序)", "en": "Reference dossier (most cited first)"},
    "times_cited": {"zh": "综述中被引用 {k} 次", "en": "cited {k} times in the review"},
    "used_for": {"zh": "用途", "en": "Used for"},
    "generated": {"zh": "模型生成", "en": "generated"},
    "cited_with": {"zh": "同时引用", "en": "Cited alongside"},
    "export": {"zh": "导出 Markdown", "en": "Export Markdown"},
    "export_file": {"zh": "对话记录(Markdown)", "en": "Conversation (Markdown)"},
    "machine_translation": {"zh": "机器翻译", "en": "machine translation"},
    "tab_draft": {"zh": "文稿核查", "en": "Draft check"},
    "draft": {
        "zh": "粘贴文稿(中文或英文,带引用如“马述忠等,2024”)",
        "en": "Paste a draft (Chinese or English, with citations such as “Han Minchun et al., 2024”)",
    },
    "draft_file": {"zh": "或上传 .md / .txt / .docx", "en": "or upload .md / .txt / .docx"},
    "draft_run": {"zh": "核查文稿", "en": "Check draft"},
    "draft_sentence": {"zh": "句子", "en": "Sentence"},
    "draft_citations": {"zh": "文稿的引用", "en": "Draft's citations"},
    "draft_suggest": {"zh": "综述在此引用", "en": "The review cites here"},
    "draft_ok": {"zh": "无误", "en": "correct"},
    "draft_none": {"zh": "文稿中没有可核查的句子。", "en": "The draft has no sentence to check."},
    "draft_refs": {"zh": "重建的参考文献(GB/T 7714)", "en": "Rebuilt references (GB/T 7714)"},
    "draft_bib": {"zh": "下载 BibTeX", "en": "Download BibTeX"},
    "draft_progress": {"zh": "正在核查第 {i}/{n} 句", "en": "Checking sentence {i} of {n}"},
}

LANG_CHOICES = [("自动 / Auto", "auto"), ("中文", "zh"), ("English", "en")]


def t(key: str, lang: str) -> str:
    return TEXTS[key]["zh" if lang == "zh" else "en"]
