-- APA 7 §8.17: in a narrative citation the names of two or more authors are joined by the
-- word "and" ("Okafor and Lindqvist (2018)"), in a parenthetical one by "&"; pandoc's citeproc
-- prints "&" in both (CSL 1.0.2 has no narrative condition). Runs after citeproc, only when the
-- render stage sets `narrative-and: true` (an APA style, build.intext.is_apa_style), so the
-- output of any other style is unchanged. The word is the CSL locale term "and" of the
-- document's language; for a language not listed here nothing changes.
local AND = {
  en = "and", de = "und", fr = "et", es = "y", it = "e", pt = "e", nl = "en", sv = "och",
  da = "og", nb = "og", nn = "og", no = "og", fi = "ja", pl = "i", cs = "a", tr = "ve",
}

local function narrative_and(cite, word)
  if cite.citations[1].mode ~= "AuthorInText" then
    return nil
  end
  local names_done = false -- the names end where the parenthesis of the year opens
  cite.content = cite.content:walk({
    Str = function(s)
      if names_done then
        return nil
      end
      if s.text:find("%(") then
        names_done = true
        return nil
      end
      if s.text == "&" then
        return pandoc.Str(word)
      end
    end,
  })
  return cite
end

function Pandoc(doc)
  local flag = doc.meta["narrative-and"]
  if flag == nil then
    return nil
  end
  doc.meta["narrative-and"] = nil -- a switch of the build, not the article's metadata
  local lang = pandoc.utils.stringify(doc.meta.lang or "en"):lower():match("^(%a+)")
  local word = AND[lang or "en"]
  if pandoc.utils.stringify(flag) ~= "true" or not word then
    return doc
  end
  return doc:walk({
    Cite = function(cite)
      return narrative_and(cite, word)
    end,
  })
end
