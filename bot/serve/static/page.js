// The behaviour of the messages' HTML (the sanitizer strips inline handlers, so one listener per event serves them all):
// a Copy button copies the plain text kept beside it; an expanded source scrolls to show the passage in its article.
if (!window.botPageInstalled) {
  window.botPageInstalled = true;
  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest(".bot-copy");
    const plain = button && button.closest(".bot-answer")?.querySelector(".bot-plain");
    if (!plain) return;
    const text = plain.textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!details.open || !details.classList?.contains("bot-context")) return;
    const article = details.querySelector(".bot-article"), cited = details.querySelector(".bot-cited");
    if (!article || !cited) return;
    article.scrollTop += cited.getBoundingClientRect().top - article.getBoundingClientRect().top - 32;
    article.scrollIntoView({ block: "nearest" });
  }, true);  // toggle does not bubble: listen while it travels down
}
