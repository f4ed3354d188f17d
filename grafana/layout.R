# Draws grafana/layout.png, the layout of the dashboard's panels (their gridPos and
# titles, read from error_budget.json), for the README. Run from grafana/:
#   Rscript layout.R        (R is a development tool here, not a dependency)
lines <- readLines("error_budget.json")
json <- paste(lines, collapse = "\n")
panels <- regmatches(json, gregexpr('"type": "[a-z]+",\\s*"title": "[^"]*",\\s*"gridPos": \\{[^}]*\\}', json))[[1]]
num <- function(p, k) as.numeric(sub(paste0('.*"', k, '": ([0-9]+).*'), "\\1", p))
png("layout.png", width = 960, height = 560)
par(mar = c(0.5, 0.5, 2, 0.5))
plot(NULL, xlim = c(0, 24), ylim = c(38, 0), axes = FALSE, xlab = "", ylab = "", main = "error_budget dashboard: panel layout")
for (p in panels) {
  x <- num(p, "x"); y <- num(p, "y"); w <- num(p, "w"); h <- num(p, "h")
  type <- sub('.*"type": "([a-z]+)".*', "\\1", p); title <- sub('.*"title": "([^"]*)".*', "\\1", p)
  rect(x + 0.1, y + 0.1, x + w - 0.1, y + h - 0.1, col = "#eef3fb", border = "#4a6fa5")
  text(x + w / 2, y + h / 2 - 0.6, title, cex = 1.05)
  text(x + w / 2, y + h / 2 + 0.8, type, cex = 0.9, col = "#666666")
}
invisible(dev.off())
