"""The absence test behind a "not covered" refusal: what counts as the review never using a term."""

from assistant.answering.verify.absence import subject_absence

# a stand-in for the review's own words (the real text is tested through the assistant elsewhere)
REVIEW = "数字技术改变了企业的空间区位,布局更加分散;区域创新依赖人才集聚与知识溢出。"


def test_a_subject_the_review_never_names_is_absent():
    a = subject_absence("综述如何评价北欧国家的海上风电补贴?", REVIEW)
    assert a.absent
    assert "风电" in "".join(a.unused)


def test_a_term_whose_bigrams_the_review_mostly_uses_is_not_unused():
    # 空间布局 → 空间, 间布, 布局: two of three bigrams occur, so the term counts as used (2/3, not 0.67)
    a = subject_absence("数字技术怎样改变企业的空间布局?", REVIEW)
    assert "空间布局" not in a.unused
    assert not a.absent


def test_question_words_are_not_a_subject():
    a = subject_absence("区域创新依赖哪几个条件?", REVIEW)
    assert not any("哪" in t for t in a.unused)


def test_a_translations_word_choice_is_forgiven_more():
    # 创新能力 → 创新, 新能, 能力: one bigram in three is the review's
    own = subject_absence("企业的创新能力", REVIEW)
    translated = subject_absence("企业的创新能力", REVIEW, translated=True)
    assert "创新能力" in own.unused and "创新能力" not in translated.unused
