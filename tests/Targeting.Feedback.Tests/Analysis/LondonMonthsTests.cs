using Targeting.Feedback.Analysis;

namespace Targeting.Feedback.Tests.Analysis;

public class LondonMonthsTests
{
    [Theory]
    // data.police.uk writes a stop at 00:30 BST on 1 June as 31 May 23:30 UTC: it belongs to June.
    [InlineData("2021-05-31T23:30:00Z", "2021-06")]
    [InlineData("2021-05-31T22:59:59Z", "2021-05")]
    // GMT in winter: UTC midnight is London midnight.
    [InlineData("2022-01-01T00:00:00Z", "2022-01")]
    [InlineData("2021-12-31T23:59:59Z", "2021-12")]
    public void KeyOf_UtcInstant_LondonMonth(string utc, string month)
    {
        var instant = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

        Assert.Equal(month, LondonMonths.Format(LondonMonths.KeyOf(instant)));
    }

    [Fact]
    public void Window_SummerMonths_StartAtLondonMidnight()
    {
        Assert.True(LondonMonths.TryParse("2021-06", out var june));
        Assert.True(LondonMonths.TryParse("2021-11", out var november));

        var window = LondonMonths.Window(june, november);

        Assert.Equal(new DateTime(2021, 5, 31, 23, 0, 0, DateTimeKind.Utc), window.Start.ToDateTime());
        Assert.Equal(new DateTime(2021, 12, 1, 0, 0, 0, DateTimeKind.Utc), window.End.ToDateTime());
        Assert.Equal(6, LondonMonths.Spanned(window.Start.ToDateTime(), window.End.ToDateTime()).Count);
    }

    [Theory]
    [InlineData("2022-13")]
    [InlineData("2022-1")]
    [InlineData("22-01")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_NotYearMonth_False(string? text) => Assert.False(LondonMonths.TryParse(text, out _));
}
