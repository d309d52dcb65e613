--[[
citation-lang.lua: citeproc in the style's own locale, the document in its own language.

Listed twice in defaults/common.yaml, just before and just after citeproc. When the render
stage sets `citation-lang` (build.intext.citation_locale: the style's locale for a document in a
regional variant of its language, e.g. en-US for an APA style and a document in en-GB), the
first run puts it into `lang`, which citeproc reads, keeping the document's own in
`document-lang`; the second run puts the document's `lang` back and removes both fields. So
the reference list has the style's terms ("(Eds.)", "2nd ed.") and the page keeps
`lang="en-GB"` (hyphenation, the HTML and EPUB language). Without `citation-lang` it changes
nothing.
--]]

function Meta(meta)
  if meta["document-lang"] ~= nil then
    meta.lang = meta["document-lang"]
    meta["document-lang"] = nil
    meta["citation-lang"] = nil
    return meta
  end
  if meta["citation-lang"] ~= nil then
    meta["document-lang"] = meta.lang
    meta.lang = meta["citation-lang"]
    return meta
  end
end
